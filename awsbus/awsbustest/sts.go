package awsbustest

import (
	"context"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// STS is an in-memory fake of topology.STSAPI that answers
// GetCallerIdentity with the account of an SQS fake.
type STS struct {
	sqs   *SQS
	calls atomic.Int64
}

// NewSTS returns an STS fake in the account of sqs.
func NewSTS(sqs *SQS) *STS { return &STS{sqs: sqs} }

// GetCallerIdentity returns the fake's account and a user ARN in it.
func (s *STS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	s.calls.Add(1)
	acct := s.sqs.AccountID()
	return &sts.GetCallerIdentityOutput{
		Account: aws.String(acct), Arn: aws.String("arn:aws:iam::" + acct + ":user/awsbustest"),
		UserId: aws.String("AIDAFAKEUSER" + acct),
	}, nil
}

// Calls returns how many GetCallerIdentity calls were made.
func (s *STS) Calls() int64 { return s.calls.Load() }
