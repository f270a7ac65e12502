package cli_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// Topics whose account STS failed to give, alike, share one line of the
// error, as the checks of other calls failed alike do: what wraps the
// call's error for each topic (its ARN) does not set them apart.
func TestHealth_TopicsWhoseSTSCallFailedAlikeShareALine(t *testing.T) {
	fake := newFakeAWS() // nothing applied: no queue gives the account
	path := writeTopology(t, ordersBinding(), topology.Options{})
	noCredentials := &smithy.OperationError{ServiceID: "STS", OperationName: "GetCallerIdentity",
		Err: errors.New("failed to refresh cached credentials, no EC2 IMDS role found")}

	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.STS = failingSTS{noCredentials}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, "SQS answered that the queues do not exist")
	assert.Contains(t, errOut, "2 could not be made, as their calls failed, so the health of their resources is unknown:\n"+
		"order-events (topic), payment-events (topic): STS call failed (find the account with sts:GetCallerIdentity: "+
		"failed to refresh cached credentials, no EC2 IMDS role found): check the credentials")
	assert.Equal(t, 1, strings.Count(errOut, "no EC2 IMDS role found"), "the cause is said once")
}
