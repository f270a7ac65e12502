package a

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/stretchr/testify/suite"
)

// TestBound stops the test through names bound to testify's Assertions,
// to stopping functions and methods, and to Eventually itself.
func TestBound(t *testing.T) {
	r := require.New(t)
	require.Eventually(t, func() bool {
		_, err := count()
		r.NoError(err) // stops
		return true
	}, time.Second, time.Millisecond)
	require.Eventually(t, func() bool { require.New(t).True(true); return true }, time.Second, time.Millisecond) // stops
	fatal := t.Fatal
	require.Eventually(t, func() bool {
		if _, err := count(); err != nil {
			fatal(err) // stops
		}
		return true
	}, time.Second, time.Millisecond)
	noError := require.NoError
	require.Eventually(t, func() bool { _, err := count(); noError(t, err); return true }, time.Second, time.Millisecond) // stops
	ev := require.Eventually
	ev(t, func() bool { require.True(t, true); return true }, time.Second, time.Millisecond) // stops
	never := assert.Never
	never(t, func() bool { t.FailNow(); return false }, time.Second, time.Millisecond)                           // stops
	r.Eventually(func() bool { r.True(true); return true }, time.Second, time.Millisecond)                       // stops
	require.Eventually(t, func() bool { assert.FailNow(t, "gone"); return true }, time.Second, time.Millisecond) // stops
	exit := runtime.Goexit
	require.Eventually(t, func() bool { exit(); return true }, time.Second, time.Millisecond) // stops
	require.Eventually(t, fatalIn(t), time.Second, time.Millisecond)
	rg := rig{t: t}
	counted := rg.count
	require.Eventually(t, func() bool { return counted() == 1 }, time.Second, time.Millisecond) // stops
}

// fatalIn returns a condition that stops t through a stored method value.
func fatalIn(t *testing.T) func() bool {
	stop := t.FailNow
	return func() bool { stop(); return false } // stops
}

// TestBoundSafe polls through the same kinds of names without stopping
// the test.
func TestBoundSafe(t *testing.T) {
	a := assert.New(t)
	require.Eventually(t, func() bool { return a.NoError(nil) }, time.Second, time.Millisecond)
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		rc := require.New(c)
		_, err := count()
		rc.NoError(err)
	}, time.Second, time.Millisecond)
	logf := t.Logf
	ev := require.Eventually
	ev(t, func() bool { logf("polled"); return true }, time.Second, time.Millisecond)
	withT := require.EventuallyWithT
	withT(t, func(c *assert.CollectT) { require.True(c, true) }, time.Second, time.Millisecond)
	a.Eventually(func() bool { return a.True(true) }, time.Second, time.Millisecond)
	q := &queue{}
	check := q.count
	require.Eventually(t, func() bool { return check() == 0 }, time.Second, time.Millisecond)
}

type ordersSuite struct{ suite.Suite }

func TestOrders(t *testing.T) { suite.Run(t, new(ordersSuite)) }

func (s *ordersSuite) TestPolls() {
	require.Eventually(s.T(), func() bool {
		_, err := count()
		s.Require().NoError(err) // stops
		return true
	}, time.Second, time.Millisecond)
	s.Eventually(func() bool { s.Require().True(true); return true }, time.Second, time.Millisecond)      // stops
	s.EventuallyWithT(func(c *assert.CollectT) { s.Require().True(true) }, time.Second, time.Millisecond) // stops
	s.EventuallyWithT(func(c *assert.CollectT) { require.New(c).True(true) }, time.Second, time.Millisecond)
	s.Eventually(func() bool { return s.NoError(nil) }, time.Second, time.Millisecond)
	must := s.Require()
	s.Never(func() bool { must.True(false); return false }, time.Second, time.Millisecond) // stops
}
