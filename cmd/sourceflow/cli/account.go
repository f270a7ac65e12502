package cli

import (
	"context"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// learnAccount finds the account of the session when a drift of drifts
// asks the key's owner for a statement naming it (the key-policy hint) and
// the account is not known yet: AWS_ACCOUNT_ID, else the account in the URL
// of one of the plan's queues, else sts:GetCallerIdentity. It keeps it in
// s.clients.AccountID; a lookup that fails leaves it empty, and the hint
// then names a placeholder.
func (s *session) learnAccount(ctx context.Context, drifts []topology.Drift) {
	if s.clients.AccountID != "" || !keyDrift(drifts, keyPolicyProblem) {
		return
	}
	s.clients.AccountID = os.Getenv("AWS_ACCOUNT_ID")
	if s.clients.AccountID == "" {
		s.clients.AccountID = s.queueAccount(ctx)
	}
	if s.clients.AccountID == "" {
		s.clients.AccountID = s.callerAccount(ctx)
	}
}

// queueAccount is the account in the URL of the first of the plan's queues
// that exists ("https://sqs.REGION.amazonaws.com/ACCOUNT/NAME"); "" when
// none does or its URL names no account.
func (s *session) queueAccount(ctx context.Context) string {
	for _, q := range s.plan.Queues {
		out, err := s.clients.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(q.Name)})
		if err != nil {
			continue
		}
		u, err := url.Parse(aws.ToString(out.QueueUrl))
		if err != nil {
			return ""
		}
		account, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		if account == "" || topology.ValidateAccountID(account) != nil {
			return ""
		}
		return account
	}
	return ""
}

// callerAccount is the account of the credentials, by
// sts:GetCallerIdentity; "" without an STS client or when the call fails.
func (s *session) callerAccount(ctx context.Context) string {
	if s.clients.STS == nil {
		return ""
	}
	out, err := s.clients.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || topology.ValidateAccountID(aws.ToString(out.Account)) != nil {
		return ""
	}
	return aws.ToString(out.Account)
}
