package match

import (
	"testing"
	"time"
)

func TestStageTimes(t *testing.T) {
	if testing.Short() {
		t.Skip()
	}
	b := &testing.B{}
	left, right, _ := benchRecords(b, 100_000)
	start := time.Now()
	last := ""
	_, err := Link(left, right, DefaultConfig(), Options{Progress: func(stage string, done, total int) {
		if stage != last {
			t.Logf("%6.2fs start %s", time.Since(start).Seconds(), stage)
			last = stage
		}
	}})
	t.Logf("%6.2fs end", time.Since(start).Seconds())
	if err != nil {
		t.Fatal(err)
	}
}
