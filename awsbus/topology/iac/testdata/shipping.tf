# SourceFlow topology of shipping
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.8"
    }
  }
}

data "aws_caller_identity" "current" {
}

data "aws_partition" "current" {
}

resource "aws_kms_key" "shipping" {
  description             = "SourceFlow message encryption key (alias/shipping)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Statement = [{
      Action = "kms:*"
      Effect = "Allow"
      Principal = {
        AWS = format("arn:%s:iam::%s:root", data.aws_partition.current.partition, data.aws_caller_identity.current.account_id)
      }
      Resource = "*"
      Sid      = "AccountIAMPolicies"
      }, {
      Action = ["kms:GenerateDataKey", "kms:Decrypt"]
      Condition = {
        StringEquals = {
          "aws:SourceAccount" = data.aws_caller_identity.current.account_id
        }
      }
      Effect = "Allow"
      Principal = {
        Service = "sns.amazonaws.com"
      }
      Resource = "*"
      Sid      = "SNSOfThisAccount"
    }]
    Version = "2012-10-17"
  })

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_kms_alias" "shipping" {
  name          = "alias/shipping"
  target_key_id = aws_kms_key.shipping.key_id

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_sqs_queue" "shipping_order_events_dlq" {
  name                      = "shipping-order-events-dlq"
  kms_master_key_id         = aws_kms_alias.shipping.name
  max_message_size          = 1048576
  message_retention_seconds = 1209600

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_sqs_queue" "shipping_order_events" {
  name                       = "shipping-order-events"
  kms_master_key_id          = aws_kms_alias.shipping.name
  max_message_size           = 1048576
  receive_wait_time_seconds  = 20
  visibility_timeout_seconds = 30
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.shipping_order_events_dlq.arn
    maxReceiveCount     = 8
  })

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_sns_topic" "order_events" {
  name              = "order-events"
  kms_master_key_id = aws_kms_alias.shipping.name
}

resource "aws_sns_topic_policy" "order_events" {
  arn = aws_sns_topic.order_events.arn
  policy = jsonencode({
    Statement = [{
      Action = "sns:Publish"
      Condition = {
        Bool = {
          "aws:SecureTransport" = "false"
        }
      }
      Effect    = "Deny"
      Principal = "*"
      Resource  = aws_sns_topic.order_events.arn
      Sid       = "SourceFlowDenyInsecureTransport"
    }]
    Version = "2012-10-17"
  })
}

resource "aws_sns_topic" "shipments_fifo" {
  name                        = "shipments.fifo"
  content_based_deduplication = true
  fifo_topic                  = true
  kms_master_key_id           = aws_kms_alias.shipping.name
}

resource "aws_sns_topic_policy" "shipments_fifo" {
  arn = aws_sns_topic.shipments_fifo.arn
  policy = jsonencode({
    Statement = [{
      Action = "sns:Publish"
      Condition = {
        Bool = {
          "aws:SecureTransport" = "false"
        }
      }
      Effect    = "Deny"
      Principal = "*"
      Resource  = aws_sns_topic.shipments_fifo.arn
      Sid       = "SourceFlowDenyInsecureTransport"
    }]
    Version = "2012-10-17"
  })
}

resource "aws_sns_topic_subscription" "order_events_to_shipping_order_events" {
  topic_arn            = aws_sns_topic.order_events.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.shipping_order_events.arn
  raw_message_delivery = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.shipping_order_events_dlq.arn
  })
  filter_policy = jsonencode({
    sf_type = ["orders.OrderCreated"]
  })
}

resource "aws_sqs_queue_policy" "shipping_order_events_dlq" {
  queue_url = aws_sqs_queue.shipping_order_events_dlq.url
  policy = jsonencode({
    Statement = [{
      Action = "sqs:*"
      Condition = {
        Bool = {
          "aws:SecureTransport" = "false"
        }
      }
      Effect    = "Deny"
      Principal = "*"
      Resource  = aws_sqs_queue.shipping_order_events_dlq.arn
      Sid       = "SourceFlowDenyInsecureTransport"
      }, {
      Action = "sqs:SendMessage"
      Condition = {
        ArnEquals = {
          "aws:SourceArn" = aws_sns_topic.order_events.arn
        }
      }
      Effect = "Allow"
      Principal = {
        Service = "sns.amazonaws.com"
      }
      Resource = aws_sqs_queue.shipping_order_events_dlq.arn
      Sid      = "SourceFlowSNSorderevents"
    }]
    Version = "2012-10-17"
  })
}

resource "aws_sqs_queue_policy" "shipping_order_events" {
  queue_url = aws_sqs_queue.shipping_order_events.url
  policy = jsonencode({
    Statement = [{
      Action = "sqs:*"
      Condition = {
        Bool = {
          "aws:SecureTransport" = "false"
        }
      }
      Effect    = "Deny"
      Principal = "*"
      Resource  = aws_sqs_queue.shipping_order_events.arn
      Sid       = "SourceFlowDenyInsecureTransport"
      }, {
      Action = "sqs:SendMessage"
      Condition = {
        ArnEquals = {
          "aws:SourceArn" = aws_sns_topic.order_events.arn
        }
      }
      Effect = "Allow"
      Principal = {
        Service = "sns.amazonaws.com"
      }
      Resource = aws_sqs_queue.shipping_order_events.arn
      Sid      = "SourceFlowSNSorderevents"
    }]
    Version = "2012-10-17"
  })
}
