package cli_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// An endpoint that never answers, with a --timeout too short to read the
// topology a --check-timeout per resource: the read leaves the checks
// their --check-timeout, and each check cut short after all of it is
// advised with --check-timeout, not with --timeout (which, raised, would
// only give the read more time).
func TestHealth_ChecksGivenTheirWholeCheckTimeoutPointAtIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fake, path := appliedOrders(t)

		_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
			c.SQS = hangingSQS(fake.sqs)
			c.SNS = hangingSNS{fake.sns}
		}, "health", "-f", path, "--timeout", "12s", "--check-timeout", "5s")

		assert.Equal(t, cli.ExitAWS, code)
		assert.Contains(t, errOut, "did not answer within --check-timeout (5s)")
		assert.NotContains(t, errOut, "--timeout")
	})
}
