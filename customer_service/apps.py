from django.apps import AppConfig


class CustomerServiceConfig(AppConfig):
    name = "customer_service"
    verbose_name = "Customer service"
