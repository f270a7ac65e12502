package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// A subscription whose filter policy applies to the message body looks
// for sf_type in the body, where awsbus does not write it (it is a
// message attribute): SNS drops every message, so health reports the
// service down, like a narrowed filter, and says to apply.
func TestHealthReportsASubscriptionFilteringTheMessageBodyDown(t *testing.T) {
	fake, path := appliedOrders(t)
	setSubscriptionsAttribute(t, fake, "order-events", "FilterPolicyScope", "MessageBody")

	out, errOut, code := fake.run(t, "health", "-f", path)

	assert.Equal(t, cli.ExitDrift, code, out+errOut)
	assert.Regexp(t, `subscription\s+order-events -> \S+\s+down\s+FilterPolicyScope differs, want MessageAttributes`, out)
	assert.Contains(t, out, "Service orders: down (9 checks, 1 drift)")
	assert.Contains(t, errOut, "service orders is down: ")
	assert.Contains(t, errOut, "`sourceflow apply -f "+path+"` to fix it")
}
