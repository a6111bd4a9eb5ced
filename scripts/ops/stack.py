"""Where the stack is: clients and physical ids, local (moto, from a state file) or deployed (CloudFormation)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scripts.ops.errors import OperatorError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATE_FILE = REPO_ROOT / "build" / "local-stack.json"
TEMPLATE = REPO_ROOT / "infra" / "resources.yaml"
APP_NAME = "motcua"


class Stack:
    """Clients and physical ids for one stack, local (moto, from a state file) or deployed (CloudFormation)."""

    def __init__(self, session: Any, endpoint_url: str | None, stage: str, template: dict,
                 state: dict[str, str] | None = None) -> None:
        self.session = session
        self.endpoint_url = endpoint_url
        self.stage = stage
        self.template = template
        self.state = state
        self._clients: dict[str, Any] = {}
        self._physical: dict[str, str] = {}
        self._account: str | None = None

    @classmethod
    def local(cls, state_file: Path, template: dict) -> Stack:
        import boto3

        if not state_file.is_file():
            raise OperatorError(f"no local stack state at {state_file}: start one with `make run` "
                                "(or pass --state-file, or --stage for a deployed stack)")
        state = json.loads(state_file.read_text())
        session = boto3.session.Session(aws_access_key_id=state.get("AWS_ACCESS_KEY_ID", "local"),
                                        aws_secret_access_key=state.get("AWS_SECRET_ACCESS_KEY", "local"),
                                        aws_session_token=state.get("AWS_SESSION_TOKEN"),
                                        region_name=state.get("AWS_DEFAULT_REGION", "ap-southeast-1"))
        return cls(session, state["MOTO_ENDPOINT"], state.get("MOTCUA_STAGE", "local"), template, state)

    @classmethod
    def deployed(cls, stage: str, template: dict, region: str | None = None) -> Stack:
        import boto3

        region = region or os.environ.get("AWS_REGION")  # botocore itself reads only AWS_DEFAULT_REGION
        session = boto3.session.Session(region_name=region) if region else boto3.session.Session()
        if not session.region_name:
            raise OperatorError("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION) or pass --region")
        return cls(session, None, stage, template)

    @property
    def is_local(self) -> bool:
        return self.state is not None

    @property
    def stack_name(self) -> str:
        return f"{APP_NAME}-{self.stage}"

    @property
    def region(self) -> str:
        return self.session.region_name

    @property
    def account(self) -> str:
        if self._account is None:
            self._account = self.client("sts").get_caller_identity()["Account"]
        return self._account

    def client(self, service: str) -> Any:
        if service not in self._clients:
            from botocore.config import Config

            config = Config(retries={"mode": "standard", "max_attempts": 4},
                            account_id_endpoint_mode="disabled" if service == "dynamodb" else None)
            self._clients[service] = self.session.client(service, endpoint_url=self.endpoint_url, config=config)
        return self._clients[service]

    def app_environment(self, prefixes: tuple[str, ...]) -> dict[str, str]:
        """The settings the API function runs with (the local state file's, or the deployed function's), for
        operator commands that run the platform's own code against this stack."""
        if self.is_local:
            return {k: v for k, v in self.state.items() if k.startswith(prefixes)}
        config = self.client("lambda").get_function_configuration(FunctionName=self.physical_id("APIHandler"))
        env = dict(config.get("Environment", {}).get("Variables", {}))
        env.update({"AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region})
        return env

    def physical_id(self, logical_id: str) -> str:
        """What CloudFormation's Ref gives: a queue's URL, a table's name."""
        if logical_id not in self._physical:
            self._physical[logical_id] = self._local_id(logical_id) if self.is_local else self._deployed_id(logical_id)
        return self._physical[logical_id]

    def _deployed_id(self, logical_id: str) -> str:
        from botocore.exceptions import ClientError

        try:
            detail = self.client("cloudformation").describe_stack_resource(
                StackName=self.stack_name, LogicalResourceId=logical_id)["StackResourceDetail"]
        except ClientError as error:
            raise OperatorError(f"{self.stack_name}: {logical_id}: {error}") from error
        return detail["PhysicalResourceId"]

    def _local_id(self, logical_id: str) -> str:
        """The name scripts/provision.py gave the resource (explicit name property, else physical_name)."""
        from scripts.provision import physical_name

        resource = self.template.get("Resources", {}).get(logical_id)
        if resource is None:
            raise OperatorError(f"{logical_id} is not in {TEMPLATE.relative_to(REPO_ROOT)}")
        properties = resource.get("Properties", {})
        kind = resource.get("Type")
        if kind == "AWS::SQS::Queue":
            name = properties.get("QueueName") or physical_name(self.stage, logical_id)
            if properties.get("FifoQueue") and not name.endswith(".fifo"):
                name += ".fifo"
            return self.client("sqs").get_queue_url(QueueName=name)["QueueUrl"]
        if kind == "AWS::DynamoDB::Table":
            return properties.get("TableName") or physical_name(self.stage, logical_id)
        raise OperatorError(f"{logical_id}: {kind} is not something the operator commands use")
