"""Operations (issue 17 item 5): the load balancer's health endpoint, the heartbeats of Celery beat
and workers it reads, and the administrator's page of the same plus work that is stuck."""
