package circuit_test

import (
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/circuit"
)

func ExampleStaysOpen() {
	open := fmt.Errorf("%w: destination %q", sourceflow.ErrCircuitOpen, "orders")
	halfOpen := fmt.Errorf("%w: destination %q", sourceflow.ErrCircuitHalfOpen, "payments")
	fmt.Println(circuit.StaysOpen(halfOpen))                    // retry at once
	fmt.Println(circuit.StaysOpen(errors.Join(halfOpen, open))) // leave it to the redelivery
	// Output:
	// false
	// true
}
