package archtest_test

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/archtest"
)

// The rule of the model package: of the module it may import the root
// package and four internal helpers (field checks, SQS rules, dead-letter
// counts, JSON error descriptions) only, and neither the AWS SDK nor OpenTelemetry.
func ExampleRules() {
	r := archtest.Rules()["cqrs"]
	fmt.Println(r.Internal, r.Forbidden)
	// Output: [ internal/fieldcheck internal/sqsrules internal/deadletter internal/jsonerr internal/errtext] [github.com/aws/ go.opentelemetry.io/]
}
