//go:build integration

package integration

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Two teams, one account each: team A's orders service in eu-west-1 owns
// the KMS key, team B's billing service in us-east-1 names it. LocalStack
// gives each access key id that is an account id an account of its own.
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
