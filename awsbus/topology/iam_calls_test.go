package topology_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// sendOnlyBinding is a service that consumes no queue: it sends a command
// to another service's queue and, with events, publishes to a topic.
func sendOnlyBinding(events bool) sourceflow.Binding {
	b := sourceflow.Binding{Service: "checkout", Routes: []sourceflow.Route{
		{Type: "billing.Charge", Kind: sourceflow.KindCommand, Destination: "billing.fifo"},
	}}
	if events {
		b.Routes = append(b.Routes, sourceflow.Route{Type: "checkout.Done", Kind: sourceflow.KindEvent, Destination: "checkout-events"})
	}
	return b
}

// listenOnlyBinding is a service that routes no type: it consumes its
// command queue and another service's topic, and sends and publishes
// nothing.
func listenOnlyBinding() sourceflow.Binding {
	return sourceflow.Binding{Service: "ledger", Listeners: []sourceflow.Listener{
		{Destination: "ledger.fifo", Kind: sourceflow.KindCommand, Types: []string{"ledger.Book"}},
		{Destination: "payment-events", Kind: sourceflow.KindEvent, Types: []string{"payments.PaymentTaken"}},
	}}
}

// publishOnlyBinding is a service that only publishes: it has no queue,
// so without AccountID and STS its topic is made before its ARN is known.
func publishOnlyBinding() sourceflow.Binding {
	return sourceflow.Binding{Service: "audit", Routes: []sourceflow.Route{
		{Type: "audit.Logged", Kind: sourceflow.KindEvent, Destination: "audit-events"},
	}}
}

// The Provisioner calls, in each mode, only what NewIAMPolicy grants for
// that mode: run Create, then Validate and Assume, on fakes that record
// each call with the ARN IAM authorizes it on, with and without a means to
// find the account. A service that consumes no queue, run without
// AccountID and STS, has no ARN to put in the policy of a queue it would
// create for its consumer: its Create refuses, having called nothing its
// policy does not grant (Validate and Assume then report the queue missing).
// A service that only publishes, run so, sets its topic's policy once the
// topic is made.
func TestProvisioner_CallsOnlyWhatThePolicyOfItsModeGrants(t *testing.T) {
	bindings := map[string]sourceflow.Binding{
		"orders": ordersBinding(), "send-only": sendOnlyBinding(false), "send-and-publish": sendOnlyBinding(true),
		"listen-only": listenOnlyBinding(), "publish-only": publishOnlyBinding(),
	}
	for name, b := range bindings {
		t.Run(name+"-no-account", func(t *testing.T) { checkCallsGranted(t, b, false) })
		t.Run(name+"-sts", func(t *testing.T) { checkCallsGranted(t, b, true) })
	}
}

// checkCallsGranted runs Create, Validate and Assume on the plan of b and
// checks each mode's calls against the policy of that mode.
func checkCallsGranted(t *testing.T, b sourceflow.Binding, withSTS bool) {
	t.Helper()
	p, err := topology.New(b, topology.Options{Tags: map[string]string{"team": "shop"}})
	require.NoError(t, err)
	fake, sn := newFakes()
	log := newCallLog(fake)
	cfg := topology.ProvisionerConfig{SQS: recordingSQS{fake, log}, SNS: recordingSNS{sn, log}, Region: fake.Region()}
	if withSTS {
		cfg.STS = awsbustest.NewSTS(fake)
	}
	topo, err := topology.NewProvisioner(cfg)
	require.NoError(t, err)
	ctx := context.Background()
	run := map[topology.Provisioning]func() error{
		topology.ProvisionCreate:   func() error { _, err := topo.Create(ctx, p); return err },
		topology.ProvisionValidate: func() error { _, _, err := topo.Validate(ctx, p); return err },
		topology.ProvisionAssume:   func() error { _, err := topo.Assume(ctx, p); return err },
	}
	// Without the account, a queue for another service cannot be made.
	needsAccount := len(p.Queues) > 0 && !slices.ContainsFunc(p.Queues, func(q topology.Queue) bool { return q.Owned })
	// Without the account and a queue, no ARN names a topic: Validate
	// checks nothing and Assume refuses; only Create makes calls.
	unnamed := !withSTS && len(p.Queues) == 0
	for _, mode := range []topology.Provisioning{topology.ProvisionCreate, topology.ProvisionValidate, topology.ProvisionAssume} {
		if unnamed && mode != topology.ProvisionCreate {
			continue
		}
		log.reset()
		switch err := run[mode](); {
		case withSTS || !needsAccount:
			require.NoError(t, err, mode.String())
		case mode == topology.ProvisionCreate:
			require.Error(t, err, "create mode without the account")
		}
		pol, err := topology.NewIAMPolicy(p, topology.IAMConfig{AccountID: fake.AccountID(), Region: fake.Region(), Provisioning: mode})
		require.NoError(t, err)
		denied, total := log.denied(pol)
		assert.NotZero(t, total, "%s mode made no call", mode)
		assert.Empty(t, denied, "%s mode calls what its policy does not grant", mode)
	}
}
