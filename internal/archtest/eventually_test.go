package archtest_test

import (
	"path/filepath"
	"testing"
)

// A condition polled by Eventually, Never or EventuallyWithT runs on another
// goroutine: a require, t.Fatal or t.FailNow there (directly, in a helper
// given the test's t, through require.New(t) or a suite's Require(), or
// through a name bound to any of these, or to Eventually itself) ends the
// test at the first transient error instead of trying again on the next
// tick, and calls FailNow off the test goroutine. Such a condition returns
// false on an error, or uses EventuallyWithT and asserts on the
// *assert.CollectT it receives.
func TestEventuallyConditionsDoNotStopTheTest(t *testing.T) {
	m, err := loadModule(filepath.Join("..", ".."))
	if err != nil {
		t.Fatalf("parse the module: %v", err)
	}
	for _, f := range m.eventuallyFindings() {
		t.Error(f)
	}
}
