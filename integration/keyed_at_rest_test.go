//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A service whose transport has a KMS key (its queues encrypted at rest)
// but no NewEncryption (so no encryption phases) runs, since encryption at
// rest alone may be meant: its transport warns once, when the service's
// Start binds it, that message bodies are neither encrypted nor
// authenticated, its health is degraded saying so, and a well-formed
// command in clear text that anyone allowed sqs:SendMessage sends is
// handled.
func TestKeyedTransportWithoutEncryptionWarnsAndReportsDegraded(t *testing.T) {
	key := encCreateKey(t, kms.NewFromConfig(awsConfig(t)))
	logs := watermill.NewCaptureLogger()
	r := newBadRig(t, badListener{kmsKey: key, atRestOnly: true, logger: logs})

	var warnings []watermill.CapturedMessage
	for _, m := range logs.Captured()[watermill.InfoLogLevel] {
		if strings.Contains(m.Msg, "neither encrypted nor authenticated") {
			warnings = append(warnings, m)
		}
	}
	require.Len(t, warnings, 1, "the transport warns once, at Bind")
	assert.Equal(t, key, warnings[0].Fields["kms_key"])
	assert.Equal(t, r.dest, warnings[0].Fields["destinations"])
	assert.Contains(t, warnings[0].Msg, "anyone allowed sqs:SendMessage or sns:Publish on the service's destinations can send it commands")

	rep := r.tr.Health(context.Background())
	var kmsCheck topology.HealthCheck
	for _, c := range rep.Checks {
		if c.Name == "kms" {
			kmsCheck = c
		}
	}
	assert.Equal(t, topology.HealthDegraded, kmsCheck.Status, "%+v", rep.Checks)
	assert.Contains(t, kmsCheck.Error, "message bodies are neither encrypted nor authenticated")
	assert.Equal(t, topology.HealthDegraded, rep.Status, "%+v", rep.Checks)

	forged := r.badMessage("victim-1", `{"amount":1000000}`)
	r.mustInject(t, wireOf(forged))
	r.handledOnce(t, forged.UUID)
}
