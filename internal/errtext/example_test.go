package errtext_test

import (
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

func ExampleWrap() {
	errLeaseLost := errors.New("idempotency: lease lost")
	err := errtext.Wrap("sqlstore: complete c/m", "idempotency: ", errLeaseLost)
	fmt.Println(err)
	fmt.Println(errors.Is(err, errLeaseLost))
	// Output:
	// sqlstore: complete c/m: lease lost
	// true
}
