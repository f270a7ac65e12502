package awsbus_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// A key without NewEncryption encrypts the queues at rest only: the KMS
// check says that bodies are neither encrypted nor authenticated, and the
// report is degraded, not down (the transport works, and encryption at
// rest alone may be meant), so HealthHandler still answers 200.
func TestTransport_HealthIsDegradedWithAKeyButNoEncryption(t *testing.T) {
	tr, _, _ := healthTransport(t, awsbus.Config{KMSKeyID: "alias/sf"})

	rep := tr.Health(context.Background())

	kms := checksByName(rep)["kms"]
	assert.Equal(t, topology.HealthDegraded, kms.Status)
	assert.Contains(t, kms.Error, "NewEncryption was not called")
	assert.Contains(t, kms.Error, "message bodies are neither encrypted nor authenticated")
	assert.Equal(t, topology.HealthDegraded, rep.Status)

	srv := httptest.NewServer(awsbus.HealthHandler(tr))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestTransport_HealthKMSIsUpOnceNewEncryptionRan(t *testing.T) {
	k := encryptiontest.New()
	k.SetAlias("alias/sf", k.CreateKey())
	tr, _, _ := healthTransport(t, awsbus.Config{KMSKeyID: "alias/sf"})
	_, err := awsbus.NewEncryption(k, tr, awsbus.EncryptionConfig{})
	require.NoError(t, err)

	rep := tr.Health(context.Background())

	assert.Equal(t, topology.HealthUp, checksByName(rep)["kms"].Status, "%+v", checksByName(rep)["kms"])
	assert.Equal(t, topology.HealthUp, rep.Status)
}

// A check that is down outweighs the degraded KMS check.
func TestTransport_HealthDownOutweighsAKeyWithoutEncryption(t *testing.T) {
	tr, sq, _ := healthTransport(t, awsbus.Config{KMSKeyID: "alias/sf"})
	sq.FailNext("GetQueueAttributes", 1, assert.AnError)

	rep := tr.Health(context.Background())

	assert.Equal(t, topology.HealthDegraded, checksByName(rep)["kms"].Status)
	assert.Equal(t, topology.HealthDown, rep.Status)
}
