package redact_test

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/redact"
)

func ExampleEndpoint() {
	fmt.Println(redact.Endpoint("https://ops:s3cret@proxy.internal:4566"))
	fmt.Println(redact.Endpoint("ops:s3cret@proxy.internal:4566"))
	// Output:
	// https://ops:xxxxx@proxy.internal:4566
	// ops:xxxxx@proxy.internal:4566
}
