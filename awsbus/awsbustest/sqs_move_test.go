package awsbustest_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

// A start whose answer is lost has started its task: the caller sees an
// error, the messages move, and a second start is refused while the task
// runs.
func TestMoveTaskSQS_LoseNextStartsTheTaskAndLosesTheAnswer(t *testing.T) {
	ctx := context.Background()
	m := awsbustest.NewMoveTaskSQS(awsbustest.NewSQS(awsbustest.SQSConfig{}))
	m.RunningLists = 1
	dlq := createQueue(t, m.SQS, "work-dlq", nil)
	createQueue(t, m.SQS, "work", map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + m.QueueARN("work-dlq") + `","maxReceiveCount":"3"}`})
	send(t, m.SQS, dlq, "a", "")
	in := &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(m.QueueARN("work-dlq"))}
	m.LoseNext("StartMessageMoveTask", 1, nil)

	_, err := m.StartMessageMoveTask(ctx, in)

	require.ErrorIs(t, err, awsbustest.ErrAnswerLost)
	assert.Len(t, m.Messages(m.QueueURL("work")), 1, "the task moved the message")
	assert.Empty(t, m.Messages(dlq))
	_, err = m.StartMessageMoveTask(ctx, in)
	require.Error(t, err, "the retry finds the task running")
	assert.Contains(t, err.Error(), "There is already a task running")
	list, err := m.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: in.SourceArn})
	require.NoError(t, err)
	require.Len(t, list.Results, 1)
	assert.Equal(t, m.QueueARN("work"), aws.ToString(list.Results[0].DestinationArn))
	assert.Equal(t, 2, m.Calls("StartMessageMoveTask"))
}

// A task being cancelled is still active: SQS refuses a start beside it
// with InvalidParameterValue, as it does beside a running task, until the
// task is cancelled.
func TestMoveTaskSQS_ACancellingTaskRefusesAStartUntilCancelled(t *testing.T) {
	ctx := context.Background()
	m := awsbustest.NewMoveTaskSQS(awsbustest.NewSQS(awsbustest.SQSConfig{}))
	m.RunningLists, m.CancellingLists = 5, 1
	createQueue(t, m.SQS, "work-dlq", nil)
	createQueue(t, m.SQS, "work", map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + m.QueueARN("work-dlq") + `","maxReceiveCount":"3"}`})
	in := &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(m.QueueARN("work-dlq"))}
	started, err := m.StartMessageMoveTask(ctx, in)
	require.NoError(t, err)
	_, err = m.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: started.TaskHandle})
	require.NoError(t, err)

	_, err = m.StartMessageMoveTask(ctx, in)
	var refused smithy.APIError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, "InvalidParameterValue", refused.ErrorCode(), "the code SQS gives")
	assert.Equal(t, "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
		refused.ErrorMessage())
	var statuses []string
	for range 2 {
		list, err := m.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: in.SourceArn})
		require.NoError(t, err)
		require.Len(t, list.Results, 1)
		assert.Nil(t, list.Results[0].TaskHandle, "SQS gives the handle of running tasks only")
		statuses = append(statuses, aws.ToString(list.Results[0].Status))
	}
	assert.Equal(t, []string{awsbustest.MoveTaskCancelling, awsbustest.MoveTaskCancelled}, statuses)
	_, err = m.StartMessageMoveTask(ctx, in)
	assert.NoError(t, err, "a cancelled task is no longer active")
}
