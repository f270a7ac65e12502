package cli_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// An SQS endpoint that never answers cuts health's topology read at its
// first call; the queues' checks then fail with that call's error at
// once, and only the topics, on an SNS endpoint that answers, are
// probed: health ends after about one --check-timeout, not one per
// resource, and still reports the topics up.
func TestHealthWithAHungSQSEndpointProbesTheTopicsOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, path := appliedOrders(t)
		start := time.Now()

		out, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
			c.SQS = stubSQS(fake.sqs.Region(), nil)
		}, "health", "-f", path, "--check-timeout", "5s")

		assert.Equal(t, cli.ExitDrift, code, out+errOut)
		assert.LessOrEqual(t, time.Since(start), 6*time.Second)
		assert.Regexp(t, `order-events\s+topic\s+up`, out)
		assert.Regexp(t, `orders\.fifo\s+queue\s+down`, out)
		assert.Contains(t, errOut, "did not answer within --check-timeout (5s)")
	})
}
