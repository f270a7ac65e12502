package cli_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

// otherRegionKey is a key ARN of eu-west-1; the fake AWS is in us-east-1.
const otherRegionKey = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// A file naming a key of another region is refused by plan, validate and
// apply before any call, naming both regions and the remedy, instead of a
// key "not found: create it" and a plan that proposes queues encrypted
// under it; health reports the key down with the same words.
func TestAKeyOfAnotherRegionIsNamedAsSuch(t *testing.T) {
	fake := newFakeAWS()
	fake.kms = encryptiontest.New()
	path := writeTopology(t, ordersBinding(), topology.Options{KMSKeyID: otherRegionKey})
	const says = "the key is in eu-west-1, the service in us-east-1"

	for _, cmd := range []string{"plan", "validate", "apply"} {
		out, errOut, code := fake.run(t, cmd, "-f", path)
		assert.Equal(t, cli.ExitUsage, code, "%s: %s", cmd, errOut)
		assert.Contains(t, errOut, "encryption.kms_key_id "+otherRegionKey+": "+says, cmd)
		assert.Contains(t, errOut, "multi-Region replica, mrk-…, in us-east-1", cmd)
		assert.NotContains(t, out+errOut, "create it", cmd)
	}
	assert.Empty(t, fake.sqs.QueueURL("orders.fifo"), "apply created nothing")
	assert.Zero(t, fake.kms.Calls().DescribeKey, "the region is read from the ARN")

	out, errOut, code := fake.run(t, "health", "-f", path)
	assert.Equal(t, cli.ExitDrift, code, errOut)
	assert.Contains(t, out, says)
	assert.Contains(t, errOut, "a key of another region cannot serve: name a key of us-east-1 in the file")
	assert.NotContains(t, out+errOut, "create it")
}
