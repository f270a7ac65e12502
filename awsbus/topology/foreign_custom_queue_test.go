package topology_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A file's listen.queue naming one queue for two topics of different
// names, one of them named by ARN, is kept or refused as for two own
// topics: the queue the file names is never renamed behind its back (the
// hash names only the queues of topics of one name).
func TestDecodeFile_ListenQueueOfTopicsOfDifferentNamesIsNotRenamed(t *testing.T) {
	text := `version: 1
service: billing
destinations:
  - name: payments
    kind: event
    listen:
      handles: [payments.PaymentTaken]
      queue: billing-all
  - name: ` + foreignTopicARN + `
    kind: event
    listen:
      handles: [orders.OrderShipped]
      queue: billing-all
`
	f, err := topology.DecodeFile(strings.NewReader(text))
	var p topology.Plan
	if err == nil {
		p, err = f.Plan()
	}
	if err != nil {
		assert.ErrorContains(t, err, `"billing-all"`, "refused naming the queue")
		return
	}
	assert.Equal(t, []string{"billing-all", "billing-all"}, eventQueues(t, p, "payments", foreignTopicARN),
		"the queues the file names")
}
