//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// Two teams, one account each: team A's orders service in eu-west-1 owns
// the topic, the command queue and the KMS key, team B's billing service in
// us-east-1 consumes the topic, sends to the queue and names the key.
// LocalStack gives each access key id that is an account id an account of
// its own.
const (
	ordersAccount  = "111111111111"
	ordersRegion   = "eu-west-1"
	billingAccount = "222222222222"
	billingRegion  = "us-east-1"
)

// accountClients are SQS, SNS and STS clients acting as one account in
// one region.
func accountClients(t *testing.T, account, region string) rawClients {
	t.Helper()
	cfg := accountConfig(t, account, region)
	return rawClients{sqs: sqs.NewFromConfig(cfg), sns: sns.NewFromConfig(cfg), sts: sts.NewFromConfig(cfg), region: region}
}

// accountConfig is the SDK configuration of one account in one region.
func accountConfig(t *testing.T, account, region string) aws.Config {
	t.Helper()
	cfg := awsConfig(t).Copy()
	cfg.Region = region
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(account, "test", ""))
	return cfg
}

// provision runs the plan of b in Create mode with the clients of one
// account and returns its endpoints.
func provision(t *testing.T, c rawClients, account string, b sourceflow.Binding) topology.Endpoints {
	t.Helper()
	plan, err := topology.New(b, topology.Options{})
	require.NoError(t, err, "plan of service %s", b.Service)
	p, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: c.sqs, SNS: c.sns, STS: c.sts, Region: c.region, AccountID: account})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	eps, err := p.Create(ctx, plan)
	require.NoError(t, err, "create service %s", b.Service)
	return eps
}

// policySourceARNs returns the aws:SourceArn values the statements of the
// queue's policy name.
func policySourceARNs(t *testing.T, c rawClients, queueURL string) []string {
	t.Helper()
	out, err := c.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNamePolicy}})
	require.NoError(t, err)
	var doc struct {
		Statement []struct {
			Condition map[string]map[string]any
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out.Attributes["Policy"]), &doc))
	var arns []string
	for _, st := range doc.Statement {
		for _, kv := range st.Condition {
			switch v := kv["aws:SourceArn"].(type) {
			case string:
				arns = append(arns, v)
			case []any:
				for _, s := range v {
					arns = append(arns, s.(string))
				}
			}
		}
	}
	return arns
}
