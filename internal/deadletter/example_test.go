package deadletter_test

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/deadletter"
)

func ExampleCounts() {
	var c deadletter.Counts
	c.Add("orders.fifo")
	c.Add("orders.fifo")
	c.Add("payment-events")
	fmt.Println(c.Snapshot())
	// Output: map[orders.fifo:2 payment-events:1]
}
