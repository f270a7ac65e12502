package cli_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A queue whose check never ran, because SQS left health's topology read
// unanswered, says so in its row, with the service and the bound, rather
// than a bare "context deadline exceeded" at 0s, which reads as a check
// that ran and timed out at once; the error names the endpoint.
func TestHealthRowOfACheckCutByTheReadSaysTheServiceDidNotAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, path := appliedOrders(t)

		out, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
			c.SQS = stubSQS(fake.sqs.Region(), nil)
		}, "health", "-f", path, "--check-timeout", "5s")

		assert.Equal(t, cli.ExitDrift, code, out+errOut)
		assert.Regexp(t, `orders\.fifo\s+queue\s+down\s+\S+\s+SQS did not answer the topology read within --check-timeout \(5s\)`, out)
		assert.Regexp(t, `order-events\s+topic\s+up`, out)
		assert.Contains(t, errOut, "region's AWS endpoint")
	})
}
