package destgrace_test

import (
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow/internal/destgrace"
)

func ExampleClock() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	c := destgrace.NewClock(func() time.Time { return now })
	_, over := c.Failed("orders") // no publisher: retry the message
	fmt.Println(over)
	now = now.Add(destgrace.Grace)
	failing, over := c.Failed("orders") // still none: dead-letter it
	fmt.Println(failing, over)
	// Output:
	// false
	// 15m0s true
}
