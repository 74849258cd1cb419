app_name = "awsapi"

urlpatterns: list = []
