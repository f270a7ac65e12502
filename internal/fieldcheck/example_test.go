package fieldcheck_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// A Validate lists its rules; only the broken ones are reported.
func Example() {
	maxDeliveries, delay := 0, -time.Millisecond
	err := errors.Join(
		fieldcheck.AtLeast("MaxDeliveries", maxDeliveries, 1),
		fieldcheck.NotNegative("RedeliveryDelay", delay),
		fieldcheck.Within("MaxDeadLetters", 10, 1, 1000),
	)
	fmt.Println(err)
	// Output:
	// MaxDeliveries: 0, must be at least 1
	// RedeliveryDelay: -1ms, must not be negative
}
