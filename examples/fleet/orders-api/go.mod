module example.com/shop/orders-api

go 1.23
