package cli_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// --check-timeout bounds each check: an SQS endpoint that never answers
// costs each check at most that, not the whole --timeout, and leaves the
// SNS topic checks (whose endpoint answers) up.
func TestHealth_CheckTimeoutBoundsAHangingEndpoint(t *testing.T) {
	fake, path := appliedOrders(t)
	began := time.Now()
	out, _, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SQS = hangingSQS(fake.sqs)
		c.AccountID = fake.sqs.AccountID()
	}, "health", "-f", path, "--timeout", "20s", "--check-timeout", "300ms")

	assert.NotEqual(t, cli.ExitOK, code)
	assert.Less(t, time.Since(began), 10*time.Second, "health took the whole --timeout, not --check-timeout per check")
	assert.Regexp(t, `order-events\s+topic\s+up`, out, "the topic checks were starved by the SQS read before them")
}

// Every call answers well within --check-timeout, but the whole topology
// read does not fit in one: the read still resolves the topics' ARNs, so
// they are checked (no STS, as on an emulator), not skipped.
func TestHealth_ASlowEndpointStillHasTheTopicsChecked(t *testing.T) {
	fake, path := appliedOrders(t)
	fake.noSTS = true
	out, _, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SQS = slowSQS{SQS: fake.sqs, delay: 100 * time.Millisecond}
	}, "health", "-f", path, "--timeout", "60s", "--check-timeout", "1s")

	assert.Equal(t, cli.ExitOK, code)
	assert.Regexp(t, `order-events\s+topic\s+up`, out, "a slow but working endpoint leaves the topics unchecked")
}

// A --timeout no longer than --check-timeout (4s under the default 5s)
// still leaves the topology read time, so the topics are checked on the
// ARNs it resolves.
func TestHealth_ReadsTheTopologyWhenTimeoutIsShort(t *testing.T) {
	fake, path := appliedOrders(t)
	fake.noSTS = true
	out, _, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SQS = slowSQS{SQS: fake.sqs, delay: time.Millisecond}
	}, "health", "-f", path, "--timeout", "4s")

	assert.Equal(t, cli.ExitOK, code)
	assert.Regexp(t, `order-events\s+topic\s+up`, out, "the read had no time at all")
}

// Calls refused at once (a bad token) are reported as refused, not as a
// read cut short by --check-timeout.
func TestHealth_RefusedCallsDoNotBlameCheckTimeout(t *testing.T) {
	fake, path := appliedOrders(t)
	fake.noSTS = true
	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SQS = refusingSQS{fake.sqs}
	}, "health", "-f", path, "--timeout", "4s")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "InvalidClientTokenId")
	assert.NotContains(t, errOut, "--check-timeout")
}

// Every check cut short by --check-timeout, with --timeout (20s) to spare:
// the advice names --check-timeout; more --timeout cannot help.
func TestHealth_CallsCutByCheckTimeoutPointAtIt(t *testing.T) {
	fake, path := appliedOrders(t)
	_, errOut, code := runOn(context.Background(), t, fake, func(c *cli.Clients) {
		c.SQS = hangingSQS(fake.sqs)
		c.SNS = hangingSNS{fake.sns}
	}, "health", "-f", path, "--timeout", "20s", "--check-timeout", "300ms")

	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "--check-timeout", "the advice names the bound that cut the calls short")
}

// A command cut off by its own --timeout says so and how to give it more
// time; an interrupted one (Ctrl-C) says it was interrupted. Neither sends
// the user to check the credentials.
func TestTimeoutAndInterruptSayWhatHappened(t *testing.T) {
	fake, path := appliedOrders(t)
	hang := func(c *cli.Clients) { c.SQS = hangingSQS(fake.sqs) }

	_, errOut, code := runOn(context.Background(), t, fake, hang, "plan", "-f", path, "--timeout", "300ms")
	assert.Equal(t, cli.ExitAWS, code)
	assert.Contains(t, errOut, "--timeout")
	assert.NotContains(t, errOut, "check the credentials")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(300*time.Millisecond, cancel) // Ctrl-C
	_, errOut, code = runOn(ctx, t, fake, hang, "plan", "-f", path)
	assert.Equal(t, cli.ExitInterrupted, code)
	assert.Contains(t, errOut, "interrupted")
	assert.NotContains(t, errOut, "check the credentials")
}
