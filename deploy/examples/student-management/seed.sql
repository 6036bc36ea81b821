-- Seed data: a small vocational school on the morning of its go-live, the
-- legacy system's records imported. Every query of golive.yml passes
-- against it; the tests break one item at a time. Dates are relative to
-- the day it is loaded, so the school is always mid-term.

-- The semester the go-live falls in ("Fall 2026"), and the next one.
CREATE TEMPORARY TABLE term AS
SELECT CASE WHEN extract(month FROM current_date) BETWEEN 2 AND 8 THEN 'Spring ' ELSE 'Fall ' END
         || extract(year FROM current_date - interval '1 month')::int AS current,
       CASE WHEN extract(month FROM current_date) BETWEEN 2 AND 8 THEN 'Fall ' || extract(year FROM current_date)::int
            ELSE 'Spring ' || extract(year FROM current_date + interval '11 months')::int END AS next;

-- Five departments, eight courses each this semester and two next.
INSERT INTO courses (course_code, course_name, semester, credits, evaluation_rules, absence_penalty, hours_per_week, teaching_schedule)
SELECT d.code || '-' || (100 + g), d.name || ' ' || g, CASE WHEN g <= 8 THEN t.current ELSE t.next END, 3 + g % 2,
       '[{"category": "Midterm", "weight": 30}, {"category": "Final Exam", "weight": 50}, {"category": "Homework", "weight": 20}]'::json,
       0.5, 3.0, json_build_object('days', json_build_array('Monday', 'Wednesday'), 'periods', json_build_array(g % 6 + 1))
FROM (VALUES ('CS', 'Software Development'), ('ELEC', 'Electrical Installations'), ('MECH', 'Mechanical Engineering'),
             ('ACC', 'Accounting'), ('TOUR', 'Tourism and Hospitality')) d(code, name),
     generate_series(1, 10) g, term t;

-- 200 active students and 5 who graduated last year, as the legacy export
-- had them (names unique per first name, last name and father's name).
INSERT INTO students (first_name, last_name, email, student_id, enrollment_date, is_active, father_name, mobile_phone, study_year)
SELECT (ARRAY['Andreas','Maria','Giorgos','Eleni','Nikos','Sofia','Kostas','Anna','Christos','Katerina',
              'Panayiotis','Despina','Michalis','Ioanna','Stelios','Marina','Loizos','Chrystalla','Petros','Irene'])[1 + g % 20],
       (ARRAY['Georgiou','Ioannou','Constantinou','Christodoulou','Charalambous','Nicolaou','Papadopoulos','Michael',
              'Savva','Kyriakou','Antoniou','Demetriou','Hadjigeorgiou','Panayiotou','Stylianou','Andreou','Loizou',
              'Economou','Evangelou','Theodorou','Vasiliou','Petrou','Philippou','Pavlou','Markou'])[1 + g / 20],
       'student' || g || '@school.edu', 'STU-' || lpad(g::text, 4, '0'),
       current_date - 30 - 365 * (g % 3) - CASE WHEN g > 200 THEN 730 ELSE 0 END, g <= 200,
       (ARRAY['Michalis','Andreas','Pavlos','Georgios','Savvas','Costas','Yiannis','Charis','Marios','Antonis',
              'Demos','Lefteris','Sotiris','Fotis','Kyriacos'])[1 + g % 15],
       '+357 99' || lpad((100000 + g * 37)::text, 6, '0'), 1 + g % 3
FROM generate_series(1, 205) g;

-- Accounts: one per active student, 20 teachers, 3 administrators; all
-- imported 200 days ago with a bcrypt hash of a generated initial password
-- that must be changed at the first login.
INSERT INTO users (email, hashed_password, full_name, role, created_at, updated_at, password_change_required)
SELECT s.email, '$2b$12$' || substr(md5('s' || s.id) || md5('salt' || s.id), 1, 53), s.first_name || ' ' || s.last_name,
       'student', now() - interval '200 days', now() - interval '200 days', true
FROM students s WHERE s.is_active ORDER BY s.id;
INSERT INTO users (email, hashed_password, full_name, role, created_at, updated_at, password_change_required)
SELECT 'teacher' || g || '@school.edu', '$2b$12$' || substr(md5('t' || g) || md5('salt' || g), 1, 53), 'Teacher ' || g,
       'teacher', now() - interval '200 days', now() - interval '200 days', true
FROM generate_series(1, 20) g;
INSERT INTO users (email, hashed_password, full_name, role, created_at, updated_at, password_change_required)
SELECT 'admin' || g || '@school.edu', '$2b$12$' || substr(md5('a' || g) || md5('salt' || g), 1, 53), 'Administrator ' || g,
       'admin', now() - interval '200 days', now() - interval '200 days', true
FROM generate_series(1, 3) g;

INSERT INTO roles (name, description) VALUES
  ('admin', 'School administration'), ('teacher', 'Teaching staff'), ('student', 'Enrolled students');
INSERT INTO permissions (name) VALUES
  ('students:read'), ('students:write'), ('grades:read'), ('grades:write'), ('attendance:read'),
  ('attendance:write'), ('reports:generate'), ('users:manage');
INSERT INTO role_permissions (role_id, permission_id)
SELECT r.id, p.id FROM roles r, permissions p
WHERE r.name = 'admin'
   OR r.name = 'teacher' AND p.name IN ('students:read', 'grades:read', 'grades:write', 'attendance:read', 'attendance:write', 'reports:generate')
   OR r.name = 'student' AND p.name IN ('grades:read', 'attendance:read');
INSERT INTO user_roles (user_id, role_id)
SELECT u.id, r.id FROM users u JOIN roles r ON r.name = u.role;

-- Each active student takes three of this semester's courses.
INSERT INTO course_enrollments (student_id, course_id, enrolled_at)
SELECT s.id, c.id, current_date - 30
FROM students s
JOIN LATERAL (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM courses, term WHERE semester = term.current) c
  ON c.n IN (s.id % 40, (s.id + 7) % 40, (s.id + 13) % 40)
WHERE s.is_active;

-- Midterm and homework graded; the final exam is still to come.
INSERT INTO grades (student_id, course_id, assignment_name, category, grade, max_grade, weight, date_assigned, date_submitted)
SELECT e.student_id, e.course_id, a.name, a.category, 45 + (e.id * 37 + a.k * 11) % 55, 100, a.weight,
       current_date - 21 + a.k * 7, current_date - 19 + a.k * 7
FROM course_enrollments e,
     (VALUES (0, 'Midterm exam', 'Midterm', 0.3), (1, 'Homework 1', 'Homework', 0.1), (2, 'Homework 2', 'Homework', 0.1)) a(k, name, category, weight);

-- The school calendar: this term's days without lessons.
INSERT INTO golive.school_calendar (day, name) VALUES
  (current_date - 25, 'National holiday'), (current_date + 10, 'Founders day'),
  (current_date + 21, 'Christmas holidays'), (current_date + 22, 'Christmas holidays'), (current_date + 60, 'Green Monday');

-- Attendance of the last three school weeks (no weekends, no holidays).
INSERT INTO attendances (student_id, course_id, date, status, period_number)
SELECT e.student_id, e.course_id, d::date,
       CASE WHEN (e.id + extract(doy FROM d)::int) % 23 = 0 THEN 'Absent'
            WHEN (e.id + extract(doy FROM d)::int) % 31 = 0 THEN 'Late' ELSE 'Present' END, 1
FROM course_enrollments e, generate_series(current_date - 21, current_date - 1, interval '1 day') d
WHERE extract(isodow FROM d) < 6 AND NOT EXISTS (SELECT 1 FROM golive.school_calendar h WHERE h.day = d::date);

INSERT INTO daily_performances (student_id, course_id, date, category, score, max_score)
SELECT e.student_id, e.course_id, current_date - 3, 'Participation', 5 + e.id % 6, 10 FROM course_enrollments e;

INSERT INTO highlights (student_id, semester, rating, category, highlight_text, is_positive)
SELECT s.id, t.current, 4 + s.id % 2, 'Teamwork', 'Led the group project', true
FROM students s, term t WHERE s.is_active AND s.id % 10 = 0;

-- Every account logged in within the last five days: a LOGIN in the audit
-- log and the refresh token that login issued.
INSERT INTO audit_logs (action, resource, user_id, user_email, ip_address, user_agent, success, "timestamp")
SELECT 'LOGIN', 'auth', u.id, u.email, '10.20.' || (u.id % 250) || '.' || (u.id % 200 + 1),
       'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0', true, now() - ((u.id % 5) || ' days')::interval - interval '2 hours'
FROM users u;
INSERT INTO refresh_tokens (user_id, jti, token_hash, expires_at, revoked, created_at)
SELECT u.id, md5('jti' || u.id), encode(sha256(convert_to('token' || u.id, 'UTF8')), 'hex'),
       now() - ((u.id % 5) || ' days')::interval + interval '5 days', false, now() - ((u.id % 5) || ' days')::interval - interval '2 hours'
FROM users u;
-- This morning's grade entries.
INSERT INTO audit_logs (action, resource, resource_id, user_id, user_email, success, "timestamp", details)
SELECT 'UPDATE', 'grade', g::text, u.id, u.email, true, now() - (g || ' minutes')::interval,
       json_build_object('field', 'grade', 'reason', 'homework re-marked')
FROM generate_series(1, 50) g JOIN users u ON u.email = 'teacher' || (1 + g % 20) || '@school.edu';

-- The post-launch survey so far.
INSERT INTO golive.survey_responses (user_email, rating, submitted_at)
SELECT email, 4 + (id / 4) % 2, now() - ((id % 3) || ' days')::interval FROM users WHERE id % 4 = 0;

INSERT INTO golive.legacy_export_counts (entity, count) VALUES
  ('students', 205), ('teachers', 20), ('administrators', 3), ('courses', 50);

-- At the merge revision of the RBAC and audit-log heads (migrations/versions).
INSERT INTO alembic_version (version_num) VALUES ('64887d60dbfb');

DROP TABLE term;
ANALYZE;
