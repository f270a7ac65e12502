package sourceflow_test

import (
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// A failure that no retry can cure is marked permanent; the original error
// stays reachable.
func ExamplePermanent() {
	errBadJSON := errors.New("payload is not JSON")
	err := sourceflow.Permanent(fmt.Errorf("decode: %w", errBadJSON))
	fmt.Println(sourceflow.IsPermanent(err), errors.Is(err, errBadJSON))
	fmt.Println(sourceflow.IsPermanent(errBadJSON))
	// Output:
	// true true
	// false
}

// Transports with an attribute budget pack the envelope keys into one
// attribute and send the type in its own.
func ExampleEnvelopeKeys() {
	fmt.Println(len(sourceflow.EnvelopeKeys()), sourceflow.IsEnvelopeKey(sourceflow.MetaType), sourceflow.AttributeBudget)
	// Output: 7 false 10
}
