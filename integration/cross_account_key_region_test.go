//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// kmsClient is a KMS client acting as one account in one region.
func kmsClient(t *testing.T, account, region string) *kms.Client {
	t.Helper()
	return kms.NewFromConfig(accountConfig(t, account, region))
}

// A team that shares team A's key names it by its ARN. When that key is in
// another region than the service (orders in eu-west-1, billing in
// us-east-1), SQS cannot encrypt billing's queues under it and billing's
// KMS client cannot use it: Validate must say that the key is in another
// region (a multi-Region replica in the service's region is needed), not
// that it is missing and should be created.
func TestCrossAccountKeyOfAnotherRegionIsReportedAsSuch(t *testing.T) {
	key, err := kmsClient(t, ordersAccount, ordersRegion).CreateKey(context.Background(), &kms.CreateKeyInput{})
	require.NoError(t, err)
	keyARN := aws.ToString(key.KeyMetadata.Arn)
	t.Cleanup(func() { scheduleDeletion(t, kmsClient(t, ordersAccount, ordersRegion), keyARN) })

	b := accountClients(t, billingAccount, billingRegion)
	queue := uniqueName("xacct-billing-commands", "")
	binding := sourceflow.Binding{Service: uniqueName("billing", ""),
		Listeners: []sourceflow.Listener{{Destination: queue, Kind: sourceflow.KindCommand, Types: []string{"billing.Charge"}}}}
	plan, err := topology.New(binding, topology.Options{KMSKeyID: keyARN})
	require.NoError(t, err)
	p, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: b.sqs, SNS: b.sns, STS: b.sts, Region: billingRegion,
		AccountID: billingAccount, KMS: kmsClient(t, billingAccount, billingRegion)})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	report, _, err := p.Validate(ctx, plan)
	require.NoError(t, err)

	var keyDrifts []topology.Drift
	for _, d := range report.Drifts {
		if d.Resource == "key" {
			keyDrifts = append(keyDrifts, d)
		}
	}
	require.Len(t, keyDrifts, 1, "drifts: %v", report)
	assert.Contains(t, keyDrifts[0].Problem, ordersRegion, "the drift names the key's region")
	assert.NotContains(t, keyDrifts[0].Problem, "create it", "the key exists: creating another is no fix")
}
