package sqsrules_test

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// What SQS accepts as a body, an attribute name and a FIFO id.
func Example() {
	fmt.Println(sqsrules.ValidText("order placed\n"), sqsrules.ValidText("bell \a"))
	fmt.Println(sqsrules.ValidAttributeName("trace-id"), sqsrules.ValidAttributeName("AWS.trace"))
	fmt.Println(sqsrules.ValidFIFOID("order-42"), sqsrules.ValidFIFOID("order 42"))
	// Output:
	// true false
	// true false
	// true false
}
