package cli_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// The endpoint's advice names the variable it came from: SQS's own,
// AWS_ENDPOINT_URL_SQS, when that holds it, else AWS_ENDPOINT_URL.
func TestEndpoint_AdviceNamesTheVariableUsed(t *testing.T) {
	const sqsOnly, all = "http://sqs.internal:4566", "http://all.internal:4566"
	cases := []struct {
		name, sqsVar, allVar, endpoint, want, notWant string
	}{
		{"SQS's own", sqsOnly, all, sqsOnly, "(AWS_ENDPOINT_URL_SQS: " + sqsOnly + ")", "AWS_ENDPOINT_URL:"},
		{"the general one", "", all, all, "(AWS_ENDPOINT_URL: " + all + ")", "AWS_ENDPOINT_URL_SQS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_ENDPOINT_URL_SQS", tc.sqsVar)
			t.Setenv("AWS_ENDPOINT_URL", tc.allVar)
			fake, path := appliedOrders(t)

			_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
				c.Endpoint, c.SQS = tc.endpoint, refusingSQS{fake.sqs}
			}, "validate", "-f", path)

			assert.Equal(t, cli.ExitAWS, code)
			assert.Contains(t, errOut, "the endpoint "+tc.want)
			assert.NotContains(t, errOut, tc.notWant)
		})
	}
}

// An endpoint no AWS call could use is refused naming the variable that
// holds it.
func TestEndpoint_RefusalNamesTheVariableUsed(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_SQS", "proxy.internal:4566")
	t.Setenv("AWS_ENDPOINT_URL", "")
	fake, path := appliedOrders(t)

	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.Endpoint = "proxy.internal:4566"
	}, "validate", "-f", path)

	assert.Equal(t, cli.ExitUsage, code)
	assert.Contains(t, errOut, "Clients.Endpoint (AWS_ENDPOINT_URL_SQS): no scheme")
}

// health's unreachable endpoint names the variable that holds it.
func TestHealth_AnUnreachableEndpointNamesTheVariableUsed(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:4566")
	t.Setenv("AWS_ENDPOINT_URL", "")
	fake, path := appliedOrders(t)

	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.Endpoint = "http://127.0.0.1:4566"
		c.SQS, c.SNS, c.STS = unreachableSQS{fake.sqs}, unreachableSNS{fake.sns}, unreachableSTS{}
	}, "health", "-f", path)

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "the endpoint cannot be reached (AWS_ENDPOINT_URL_SQS: http://127.0.0.1:4566; region")
}
