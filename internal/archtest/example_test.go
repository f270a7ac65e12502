package archtest_test

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/archtest"
)

// The rule of the model package: of the module it may import the root
// package and six internal helpers (the default logger, field checks, SQS
// rules, dead-letter counts, JSON error descriptions, error texts) only, and
// neither the AWS SDK nor OpenTelemetry.
func ExampleRules() {
	r := archtest.Rules()["cqrs"]
	fmt.Println(r.Internal, r.Forbidden)
	// Output: [ internal/slogdefault internal/fieldcheck internal/sqsrules internal/deadletter internal/jsonerr internal/errtext] [github.com/aws/ go.opentelemetry.io/]
}
