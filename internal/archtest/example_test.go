package archtest_test

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/archtest"
)

// The rule of the model package: it may import the root package only, and
// neither the AWS SDK nor OpenTelemetry.
func ExampleRules() {
	r := archtest.Rules()["cqrs"]
	fmt.Println(r.Internal, r.Forbidden)
	// Output: [] [github.com/aws/ go.opentelemetry.io/]
}
