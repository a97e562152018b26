from django.urls import path

from . import views

app_name = "enquiries"
urlpatterns = [
    path("", views.enquiry_list, name="list"),
    path("<int:pk>/", views.enquiry_detail, name="detail"),
    path("<int:pk>/pieces/<int:attachment_pk>/", views.enquiry_attachment, name="attachment"),
    path("<int:pk>/repondre/", views.enquiry_reply, name="reply"),
    path("<int:pk>/attribuer/", views.enquiry_assign, name="assign"),
    path("<int:pk>/cloturer/", views.enquiry_close, name="close"),
]
