package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A drift of the KMS key and one of a topic of another account are both
// left to their owners: the advice names both, not the key alone.
func TestValidateAdviceNamesTheKeyAndAForeignTopic(t *testing.T) {
	changes := changesOf(topology.DriftReport{Drifts: []topology.Drift{
		{Resource: "key", Name: "alias/billing", Problem: "is Disabled"},
		{Resource: "topic", Name: "arn:aws:sns:eu-west-1:111111111111:order-events", Problem: "missing: account 111111111111 creates it"},
	}})

	got := validateAdvice("billing.topology.yaml", changes)

	assert.Equal(t, "apply does not change a KMS key nor a queue or topic of another account; their owners fix them, as said above", got)
}

// With a drift apply fixes too, the advice counts what the owners fix.
func TestValidateAdviceCountsWhatOwnersFix(t *testing.T) {
	changes := changesOf(topology.DriftReport{Drifts: []topology.Drift{
		{Resource: "key", Name: "alias/billing", Problem: "is Disabled"},
		{Resource: "topic", Name: "arn:aws:sns:eu-west-1:111111111111:order-events", Problem: "missing: account 111111111111 creates it"},
		{Resource: "queue", Name: "billing-order-events", Problem: "missing"},
	}})

	got := validateAdvice("billing.topology.yaml", changes)

	assert.Contains(t, got, "apply does not change a KMS key nor a queue or topic of another account: their owners fix 2, as said above")
}
