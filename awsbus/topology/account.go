package topology

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// arnScope is the partition, region and account that ARNs are built in.
type arnScope struct {
	partition, region, account string
}

func (s arnScope) topicARN(name string) string {
	return strings.Join([]string{"arn", s.partition, "sns", s.region, s.account, name}, ":")
}

func (s arnScope) queueARN(name string) string {
	return strings.Join([]string{"arn", s.partition, "sqs", s.region, s.account, name}, ":")
}

// topicARNFor builds the ARN of topic name in the scope of res.
func (t *Provisioner) topicARNFor(ctx context.Context, name string, res *resolved) (string, error) {
	scope, err := t.scope(ctx, res)
	if err != nil {
		return "", fmt.Errorf("ARN of topic %q: %w", name, err)
	}
	return scope.topicARN(name), nil
}

// queueARNFor builds the ARN of queue name in the scope of res.
func (t *Provisioner) queueARNFor(ctx context.Context, name string, res *resolved) (string, error) {
	scope, err := t.scope(ctx, res)
	if err != nil {
		return "", fmt.Errorf("ARN of queue %q: %w", name, err)
	}
	return scope.queueARN(name), nil
}

// scope returns the partition, region and account ARNs are built in: those
// of a resolved queue's ARN; without one, ProvisionerConfig.AccountID (or
// STS GetCallerIdentity) and Region.
func (t *Provisioner) scope(ctx context.Context, res *resolved) (arnScope, error) {
	if parts := strings.Split(res.anyQueueARN(), ":"); len(parts) == 6 {
		return arnScope{partition: parts[1], region: parts[3], account: parts[4]}, nil
	}
	if res.account.account == "" {
		scope, err := t.callerScope(ctx)
		if err != nil {
			return arnScope{}, err
		}
		res.account = scope
	}
	return res.account, nil
}

// callerScope finds the account without a queue ARN: AccountID when set,
// otherwise STS GetCallerIdentity.
func (t *Provisioner) callerScope(ctx context.Context) (arnScope, error) {
	if t.cfg.Region == "" {
		return arnScope{}, unknownScopeError("no queue ARN to derive the region from and ProvisionerConfig.Region is empty")
	}
	scope := arnScope{partition: regionPartition(t.cfg.Region), region: t.cfg.Region, account: t.cfg.AccountID}
	if scope.account != "" {
		return scope, nil
	}
	if t.cfg.STS == nil {
		return arnScope{}, unknownScopeError("no queue ARN to derive the account from, no AccountID and no STS client")
	}
	out, err := t.cfg.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return arnScope{}, fmt.Errorf("find the account with sts:GetCallerIdentity: %w", err)
	}
	scope.account = aws.ToString(out.Account)
	if parts := strings.Split(aws.ToString(out.Arn), ":"); len(parts) == 6 && parts[1] != "" {
		scope.partition = parts[1]
	}
	if scope.account == "" {
		return arnScope{}, errors.New("sts:GetCallerIdentity returned no account")
	}
	return scope, nil
}

// unknownScopeError reports ARNs that the configuration gives no means to
// build (no region, or no account and no STS client to ask): no call was
// made, unlike a failed sts:GetCallerIdentity.
type unknownScopeError string

func (e unknownScopeError) Error() string { return string(e) }
