"""Offline validation of the deployment files (docker-compose.yml, deploy/k8s, deploy/docker).

Run through deploy/validate.sh; see deploy/validation/__main__.py for the steps.
"""
