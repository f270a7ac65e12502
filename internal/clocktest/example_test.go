package clocktest_test

import (
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow/internal/clocktest"
)

func ExampleManual() {
	clock := clocktest.NewManual(time.Date(2026, time.December, 5, 12, 0, 0, 0, time.UTC))
	clock.Advance(15 * time.Minute)
	fmt.Println(clock.Now().Format(time.TimeOnly))
	// Output: 12:15:00
}

func ExampleNewStepping() {
	clock := clocktest.NewStepping(time.Date(2026, time.December, 5, 12, 0, 0, 0, time.UTC))
	<-clock.After(time.Second)
	<-clock.After(2 * time.Second)
	fmt.Println(clock.Now().Format(time.TimeOnly), clock.Waits())
	// Output: 12:00:03 [1s 2s]
}
