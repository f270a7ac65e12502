package cli_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A topology read cut by a KMS endpoint that never answers says once that
// KMS did not answer, then what to check: KMS's endpoint (the stub's, not SQS's),
// or more time.
func TestHealthSaysOnceThatTheServiceCuttingTheReadDidNotAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, _, path := appliedKeyOrders(t)

		out, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
			c.KMS = silentKMSClient(fake.sqs.Region(), "http://kms.stub")
		}, "health", "-f", path, "--check-timeout", "5s")

		assert.Equal(t, cli.ExitAWS, code, out+errOut)
		assert.Equal(t, 1, strings.Count(errOut, "did not answer"), errOut)
		assert.Contains(t, errOut, "health: the drift after it is unknown: KMS did not answer the topology read "+
			"within --check-timeout (5s)")
		assert.Contains(t, errOut, "\ncheck that the endpoint of region "+fake.sqs.Region()+" (set by the program: http://kms.stub)")
		assert.Contains(t, errOut, "answers, or allow more time with --check-timeout")
	})
}
