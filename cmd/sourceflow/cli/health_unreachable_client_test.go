package cli_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// health's unreachable endpoint is that of the client whose calls could not
// be sent, with the variable it came from: for a service that only
// publishes, the SNS client's (its topic's check) or the STS client's (the
// account of the topic's ARN), not the SQS client's, which answers.
func TestHealth_AnUnreachableEndpointIsThatOfTheClientThatFailed(t *testing.T) {
	const sqsOnly, snsOnly, stsOnly = "http://sqs.internal:4566", "http://sns.internal:4566", "http://sts.internal:4566"
	cases := map[string]struct {
		unreachable func(*fakeAWS, *cli.Clients)
		want        string
	}{
		"SNS": {func(f *fakeAWS, c *cli.Clients) { c.SNS = unreachableSNS{f.sns} }, "AWS_ENDPOINT_URL_SNS: " + snsOnly},
		"STS": {func(_ *fakeAWS, c *cli.Clients) { c.STS = unreachableSTS{} }, "AWS_ENDPOINT_URL_STS: " + stsOnly},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL_SQS", sqsOnly)
			t.Setenv("AWS_ENDPOINT_URL_SNS", snsOnly)
			t.Setenv("AWS_ENDPOINT_URL_STS", stsOnly)
			t.Setenv("AWS_ENDPOINT_URL", "")
			fake := newFakeAWS()
			path := writeTopology(t, eventsOnly(), topology.Options{})
			_, errOut, code := fake.run(t, "apply", "-f", path)
			require.Equal(t, cli.ExitOK, code, errOut)

			_, errOut, code = runOn(context.Background(), t, fake, func(c *cli.Clients) {
				c.Endpoint = sqsOnly
				tc.unreachable(fake, c)
			}, "health", "-f", path)

			assert.Equal(t, cli.ExitAWS, code)
			assert.Contains(t, errOut, "the endpoint cannot be reached ("+tc.want+"; region us-east-1): dial tcp: connection refused")
			assert.NotContains(t, errOut, sqsOnly)
		})
	}
}
