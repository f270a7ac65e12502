package clocktest_test

import (
	"slices"
	"testing"
	"time"

	"github.com/sourceflow-go/sourceflow/internal/clocktest"
)

var start = time.Date(2026, time.December, 5, 12, 0, 0, 0, time.UTC)

func TestManualMovesOnlyWhenMoved(t *testing.T) {
	c := clocktest.NewManual(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	c.Advance(time.Minute)
	if got, want := c.Now(), start.Add(time.Minute); !got.Equal(want) {
		t.Fatalf("after Advance, Now = %v, want %v", got, want)
	}
	c.Set(start.Add(-time.Hour))
	if got, want := c.Now(), start.Add(-time.Hour); !got.Equal(want) {
		t.Fatalf("after Set, Now = %v, want %v", got, want)
	}
}

func TestManualAfterWaitsOnTheRealClock(t *testing.T) {
	c := clocktest.NewManual(start)
	select {
	case <-c.After(time.Hour):
		t.Fatal("an hour's wait fired at once")
	default:
	}
	<-c.After(time.Millisecond)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("After moved the clock to %v", got)
	}
	if got, want := c.Waits(), []time.Duration{time.Hour, time.Millisecond}; !slices.Equal(got, want) {
		t.Fatalf("Waits = %v, want %v", got, want)
	}
}

func TestSteppingAfterFiresAtOnceAndMovesTheClock(t *testing.T) {
	c := clocktest.NewStepping(start)
	for _, d := range []time.Duration{time.Second, time.Hour} {
		select {
		case fired := <-c.After(d):
			if !fired.Equal(c.Now()) {
				t.Fatalf("fired at %v, clock reads %v", fired, c.Now())
			}
		default:
			t.Fatalf("After(%v) did not fire at once", d)
		}
	}
	if got, want := c.Now(), start.Add(time.Hour+time.Second); !got.Equal(want) {
		t.Fatalf("Now = %v, want %v", got, want)
	}
	if got, want := c.Waits(), []time.Duration{time.Second, time.Hour}; !slices.Equal(got, want) {
		t.Fatalf("Waits = %v, want %v", got, want)
	}
}

func TestOnAfterSeesEveryWaitBeforeAfterReturns(t *testing.T) {
	c := clocktest.NewStepping(start)
	var seen []time.Duration
	c.OnAfter(func(d time.Duration) {
		if !c.Now().Equal(start.Add(sum(seen))) {
			t.Errorf("OnAfter(%v) ran after the clock moved", d)
		}
		seen = append(seen, d)
	})
	c.After(time.Second)
	c.After(time.Minute)
	if want := []time.Duration{time.Second, time.Minute}; !slices.Equal(seen, want) {
		t.Fatalf("OnAfter saw %v, want %v", seen, want)
	}
}

func TestWaitsIsACopy(t *testing.T) {
	c := clocktest.NewStepping(start)
	if w := c.Waits(); w != nil {
		t.Fatalf("Waits before any After = %v, want nil", w)
	}
	c.After(time.Second)
	c.Waits()[0] = time.Hour
	if got := c.Waits()[0]; got != time.Second {
		t.Fatalf("Waits()[0] = %v after changing a returned slice", got)
	}
}

func sum(ds []time.Duration) time.Duration {
	var total time.Duration
	for _, d := range ds {
		total += d
	}
	return total
}
