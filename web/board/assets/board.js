// Ticks the T− / T+ clock every second (its colour and words are the
// server's: they change with the verdict on the next reload). The page reloads itself
// (meta refresh) for fresh states; this script only writes text, with
// textContent, never markup.
(function () {
  "use strict";
  var el = document.getElementById("countdown");
  if (!el) { return; }
  var target = Number(el.getAttribute("data-golive"));
  if (!isFinite(target)) { return; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var d = target - Date.now();
    var past = d < 0;
    if (past) { d = -d; }
    var s = Math.floor(d / 1000);
    var days = Math.floor(s / 86400); s -= days * 86400;
    var h = Math.floor(s / 3600); s -= h * 3600;
    var m = Math.floor(s / 60); s -= m * 60;
    var text = (days > 0 ? days + "d " : "") + pad(h) + ":" + pad(m) + ":" + pad(s);
    el.textContent = (past ? "T+ " : "T− ") + text;
  }
  tick();
  setInterval(tick, 1000);
})();
