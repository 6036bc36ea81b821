package cache

import (
	"os"
	"testing"
)

func BenchmarkParseInfo(b *testing.B) {
	raw, err := os.ReadFile("testdata/info-7.0.txt")
	if err != nil {
		b.Fatal(err)
	}
	s := string(raw)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if len(ParseInfo(s)) == 0 {
			b.Fatal("nothing parsed")
		}
	}
}
