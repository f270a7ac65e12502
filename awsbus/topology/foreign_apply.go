package topology

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/sourceflow-go/sourceflow"
)

// foreignGrants says what the owner of a Foreign resource must let the
// service's account do on it, for the errors and drifts that name it.
func foreignGrants(f Foreign) string {
	if f.Kind == sourceflow.KindCommand {
		return "sqs:GetQueueUrl and sqs:SendMessage in its queue policy"
	}
	return "sns:GetTopicAttributes, and sns:Subscribe and sns:ListSubscriptionsByTopic to subscribe, " +
		"or sns:Publish to publish, in its topic policy"
}

func foreignResource(f Foreign) string {
	if f.Kind == sourceflow.KindCommand {
		return "queue"
	}
	return "topic"
}

// resolveForeign checks that every Foreign queue and topic of p exists,
// asking in its region, and records a queue's URL and a topic's ARN in res.
// With rep (Validate) a missing or unreachable one is a drift naming its
// ARN; without (Create, Assume) the missing ones fail it, all named, with
// ErrNotFound, and a refused call with its error, which then names the
// grants its owner must give.
func (t *Provisioner) resolveForeign(ctx context.Context, res *resolved, p Plan, rep *DriftReport) error {
	var missing []error
	for _, f := range p.Foreign {
		found, err := t.foreignExists(ctx, res, f)
		switch {
		case err != nil && rep != nil && isDenied(err):
			rep.add(foreignResource(f), f.ARN, "not reachable: %v", err)
		case err != nil:
			return err
		case !found && rep != nil:
			rep.add(foreignResource(f), f.ARN, "missing: account %s creates it in %s, and grants this account %s",
				f.Account, f.Region, foreignGrants(f))
		case !found:
			missing = append(missing, fmt.Errorf("%s %s: %w: account %s creates it in %s, and grants this account %s",
				foreignResource(f), f.ARN, ErrNotFound, f.Account, f.Region, foreignGrants(f)))
		}
	}
	return errors.Join(missing...)
}

// foreignExists asks f's region whether f exists: GetQueueUrl with its
// owner's account for a queue, GetTopicAttributes for a topic.
func (t *Provisioner) foreignExists(ctx context.Context, res *resolved, f Foreign) (bool, error) {
	if f.Kind == sourceflow.KindEvent {
		_, found, err := t.topicAttributes(ctx, f.ARN)
		if err != nil {
			return false, foreignError(f, err)
		}
		if found {
			res.topicARN[f.ARN] = f.ARN
		}
		return found, nil
	}
	out, err := t.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{
		QueueName: aws.String(f.Name), QueueOwnerAWSAccountId: aws.String(f.Account),
	}, t.sqsIn(f.Region)...)
	if isQueueMissing(err) {
		return false, nil
	}
	if err != nil {
		return false, foreignError(f, fmt.Errorf("get URL of queue %s: %w", f.ARN, err))
	}
	res.queueURL[f.ARN] = aws.ToString(out.QueueUrl)
	return true, nil
}

// foreignProbe checks that f exists and that the service may read it.
func (t *Provisioner) foreignProbe(f Foreign) Probe {
	return Probe{Name: f.ARN, Kind: foreignResource(f), Run: func(ctx context.Context) error {
		found, err := t.foreignExists(ctx, newResolved(), f)
		if err == nil && !found {
			err = fmt.Errorf("%s %s: %w (account %s owns it)", foreignResource(f), f.ARN, ErrNotFound, f.Account)
		}
		return err
	}}
}

// foreignError adds to a refused call on f the grants its owner must give.
func foreignError(f Foreign, err error) error {
	if !isDenied(err) {
		return err
	}
	return fmt.Errorf("%w (account %s owns %s %s: it must grant this account %s)",
		err, f.Account, foreignResource(f), f.ARN, foreignGrants(f))
}

// isDenied reports an error of a call IAM or a resource policy refused.
func isDenied(err error) bool {
	return hasErrorCode(err, "AuthorizationError", "AuthorizationErrorException", "AccessDenied",
		"AccessDeniedException", "AWS.SimpleQueueService.AccessDenied")
}

// sqsIn returns the call option that sends an SQS call to region, none
// when region is the clients' (ProvisionerConfig.Region) or unknown.
func (t *Provisioner) sqsIn(region string) []func(*sqs.Options) {
	if region == "" || region == t.cfg.Region {
		return nil
	}
	return []func(*sqs.Options){func(o *sqs.Options) { o.Region = region }}
}

// snsIn returns the call option that sends an SNS call on the topic or
// subscription arn to its region, none when that is the clients'
// (ProvisionerConfig.Region): a topic of another region is read, and
// subscribed to, there.
func (t *Provisioner) snsIn(arn string) []func(*sns.Options) {
	region := arnRegion(arn)
	if region == "" || region == t.cfg.Region {
		return nil
	}
	return []func(*sns.Options){func(o *sns.Options) { o.Region = region }}
}
