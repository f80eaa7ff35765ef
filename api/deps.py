"""Typed FastAPI dependencies shared by every router."""

from typing import Annotated

from fastapi import Depends, Request

from assistant.services import Services


async def get_services(request: Request) -> Services:
    # async: a sync dependency would hop through the thread pool and could reorder concurrent turns
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]
