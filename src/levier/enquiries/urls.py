from django.urls import path
app_name = "enquiries"
urlpatterns = []
