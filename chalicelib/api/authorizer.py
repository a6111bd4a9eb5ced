"""The API Gateway Cognito authorizer for protected routes.

In AWS, API Gateway rejects bad tokens before the Lambda runs; the merged template (infra/)
replaces the placeholder ARN with the stack's user pool. The app verifies every token itself
as well (see auth.py): `chalice local` does not enforce this authorizer.
"""

from chalice import CognitoUserPoolAuthorizer

cognito_users = CognitoUserPoolAuthorizer(
    "MotCuaUsers", provider_arns=["arn:aws:cognito-idp:ap-southeast-1:000000000000:userpool/placeholder"])
