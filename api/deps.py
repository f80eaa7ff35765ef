"""Typed FastAPI dependencies shared by every router."""

from typing import Annotated

from fastapi import Depends, Request

from assistant.services import Services


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]
