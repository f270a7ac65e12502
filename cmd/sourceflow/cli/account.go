package cli

import (
	"cmp"
	"context"
	"maps"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// learnAccount finds the account of the session when a drift of drifts
// asks the key's owner for a statement naming it (the key-policy hint) and
// the account is not known yet: AWS_ACCOUNT_ID, else the account in a
// topic ARN or queue URL of eps (what the comparison that found drifts
// resolved, so no queue is looked up again), else in the ARN of one of
// those queues (for a URL that names none, as some emulators' do), else
// sts:GetCallerIdentity. It keeps it in s.clients.AccountID; a lookup that
// fails leaves it empty, and the hint then names a placeholder.
func (s *session) learnAccount(ctx context.Context, drifts []topology.Drift, eps topology.Endpoints) {
	if s.clients.AccountID != "" || !keyDrift(drifts, keyPolicyProblem) {
		return
	}
	s.clients.AccountID = cmp.Or(os.Getenv("AWS_ACCOUNT_ID"), endpointsAccount(eps))
	if s.clients.AccountID == "" {
		s.clients.AccountID = s.queueARNAccount(ctx, eps)
	}
	if s.clients.AccountID == "" {
		s.clients.AccountID = s.callerAccount(ctx)
	}
}

// endpointsAccount is the account in a topic ARN or a queue URL
// ("https://sqs.REGION.amazonaws.com/ACCOUNT/NAME") of eps; "" when none
// names one.
func endpointsAccount(eps topology.Endpoints) string {
	for _, name := range slices.Sorted(maps.Keys(eps)) {
		ep := eps[name]
		if account := arnAccount(ep.TopicARN); account != "" {
			return account
		}
		for _, u := range []string{ep.QueueURL, ep.DLQURL} {
			if account := urlAccount(u); account != "" {
				return account
			}
		}
	}
	return ""
}

// queueARNAccount is the account in the ARN (sqs:GetQueueAttributes
// QueueArn) of the first queue of eps; "" when eps has none or the call
// fails.
func (s *session) queueARNAccount(ctx context.Context, eps topology.Endpoints) string {
	for _, name := range slices.Sorted(maps.Keys(eps)) {
		u := cmp.Or(eps[name].QueueURL, eps[name].DLQURL)
		if u == "" {
			continue
		}
		out, err := s.clients.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			return ""
		}
		return arnAccount(out.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])
	}
	return ""
}

// arnAccount is the account of the ARN s; "" when s is no ARN or names no
// valid account.
func arnAccount(s string) string {
	a, err := arn.Parse(s)
	if err != nil || a.AccountID == "" || topology.ValidateAccountID(a.AccountID) != nil {
		return ""
	}
	return a.AccountID
}

// urlAccount is the account that the first segment of the path of the
// queue URL u names; "" when it names none.
func urlAccount(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return ""
	}
	account, _, _ := strings.Cut(strings.TrimPrefix(parsed.Path, "/"), "/")
	if account == "" || topology.ValidateAccountID(account) != nil {
		return ""
	}
	return account
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
