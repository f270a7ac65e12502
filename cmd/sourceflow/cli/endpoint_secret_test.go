package cli_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// An endpoint with a password in it (a proxy that asks for one) is shown
// with the password replaced, in the headers of the output and in the
// advice of a failed call.
func TestEndpoint_PasswordIsNeverShown(t *testing.T) {
	fake, path := appliedOrders(t)
	withSecret := func(c *cli.Clients) {
		c.Endpoint = "http://admin:s3cr3t@proxy.internal:4566"
		c.SQS = awsbustest.NewMoveTaskSQS(fake.sqs) // the calls of the dlq commands too
	}
	cases := []struct {
		name string
		args []string
	}{
		{"validate", []string{"validate", "-f", path}},
		{"plan", []string{"plan", "-f", path}},
		{"dlq list", []string{"dlq", "list", "-f", path}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runOn(context.Background(), t, fake, withSecret, tc.args...)

			assert.Equal(t, cli.ExitOK, code, errOut)
			assert.NotContains(t, out+errOut, "s3cr3t")
			assert.Contains(t, out, "at http://admin:xxxxx@proxy.internal:4566")
		})
	}
	t.Run("failed call", func(t *testing.T) {
		_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
			withSecret(c)
			c.SQS = refusingSQS{fake.sqs}
		}, "validate", "-f", path)

		assert.Equal(t, cli.ExitAWS, code)
		assert.NotContains(t, errOut, "s3cr3t")
		assert.Contains(t, errOut, "set by the program: http://admin:xxxxx@proxy.internal:4566")
	})
}

// An endpoint whose password holds a character a URL reserves (/, #, ?)
// does not parse, and no AWS call could use it: it is refused before any
// call, without being shown, as the parser's message and the SDK's would
// show it whole.
func TestEndpoint_ThatIsNoURLIsRefusedWithoutShowingIt(t *testing.T) {
	fake, path := appliedOrders(t)
	for _, endpoint := range []string{"http://admin:s3/cr3t@proxy.internal:4566", "http://admin:s3#cr3t@proxy.internal:4566"} {
		for _, args := range [][]string{{"validate", "-f", path}, {"dlq", "list", "-f", path}} {
			t.Run(args[0], func(t *testing.T) {
				out, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
					c.Endpoint = endpoint
					c.SQS = awsbustest.NewMoveTaskSQS(fake.sqs) // the calls of the dlq commands too
				}, args...)

				assert.Equal(t, cli.ExitUsage, code, errOut)
				assert.NotContains(t, out+errOut, "cr3t")
				assert.Contains(t, errOut, "Clients.Endpoint (set by the program)")
				assert.Contains(t, errOut, "percent-encode")
			})
		}
	}
}

// An endpoint without a scheme (user:password@host:4566, or host:4566)
// would parse as a URL whose scheme is its first word, and no AWS call
// could use it: it is refused before any call, without being shown.
func TestEndpoint_WithoutSchemeIsRefusedWithoutShowingIt(t *testing.T) {
	fake, path := appliedOrders(t)
	for _, endpoint := range []string{"admin:s3cr3t@proxy.internal:4566", "proxy.internal:4566",
		"admin:s3cr3t@proxy.internal://4566", "admin:s3://cr3t@proxy.internal:4566"} {
		t.Run(endpoint, func(t *testing.T) {
			out, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
				c.Endpoint = endpoint
			}, "validate", "-f", path)

			assert.Equal(t, cli.ExitUsage, code, errOut)
			assert.NotContains(t, out+errOut, "cr3t")
			assert.NotContains(t, out+errOut, "proxy.internal")
			assert.Contains(t, errOut, "Clients.Endpoint (set by the program): no scheme")
		})
	}
}
